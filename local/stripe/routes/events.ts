import { filterEvents, retrieveEvent } from '../events';
import { ALLOW } from '../params';
import { list, type Route, req, route } from './route';

/** `/v1/events` (https://docs.stripe.com/api/events). */
export const EVENT_ROUTES: Route[] = [
  route('GET', '/v1/events', ALLOW.eventList, ({ billing, delivered }, p) =>
    list(filterEvents(billing, p, delivered), p, '/v1/events'),
  ),
  route('GET', '/v1/events/:id', ALLOW.retrieve, ({ billing }, _p, id) => retrieveEvent(billing, req(id))),
];
