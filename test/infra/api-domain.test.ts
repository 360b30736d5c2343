import { describe, expect, it } from 'vitest';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, templateOf } from './support';

const ORIGINS = { allowedOrigins: 'https://app.example.com' };
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

describe('custom API domain', () => {
  it('is absent by default: execute-api only, ApiUrl is its endpoint', () => {
    const template = templateOf(createTestApp().api);
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    expect(JSON.stringify(template.toJSON().Outputs.ApiUrl.Value)).toContain('ApiEndpoint');
  });

  it('maps the domain (TLS 1.2, regional, the given certificate) to the default stage, with an alias record', () => {
    const testApp = createTestApp({
      stage: 'prod',
      overrides: {
        ...ORIGINS,
        apiDomain: {
          domainName: 'api.example.com',
          certificateArn: CERTIFICATE,
          hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' },
        },
      },
    });
    const template = templateOf(testApp.api);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.example.com',
      DomainNameConfigurations: [{ CertificateArn: CERTIFICATE, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: '$default' });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
    });
    expect(template.toJSON().Outputs.ApiUrl.Value).toBe('https://api.example.com/');
  });

  it('creates no DNS record without a hosted zone', () => {
    const testApp = createTestApp({
      stage: 'prod',
      overrides: {
        ...ORIGINS,
        apiDomain: JSON.stringify({ domainName: 'api.example.com', certificateArn: CERTIFICATE }),
      },
    });
    templateOf(testApp.api).resourceCountIs('AWS::Route53::RecordSet', 0);
    templateOf(testApp.api).resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
  });

  it.each([
    [{ domainName: 'API.example.com', certificateArn: CERTIFICATE }, /domainName/],
    [{ domainName: 'api.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123:certificate/x' }, /certificateArn/],
    [
      {
        domainName: 'api.example.org',
        certificateArn: CERTIFICATE,
        hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' },
      },
      /in the hosted zone/,
    ],
  ])('refuses %j', (apiDomain, message) => {
    expect(() => parseStageConfig({ stage: 'prod', overrides: { ...ORIGINS, apiDomain } })).toThrow(message);
  });
});
