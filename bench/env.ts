// Imported first by bench/run.ts, before any module creates the Powertools logger (it reads the level when it is
// built): per-event INFO logs would flood the terminal and the timings; warnings and errors still print.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
