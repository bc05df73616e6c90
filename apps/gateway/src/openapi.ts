import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The gateway's OpenAPI document: served at /docs, written by `npm run openapi`. */
export function describeGateway(app: INestApplication, authorityId?: string): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cooperation gateway')
      .setDescription(
        `Gateway node${authorityId ? ` of ${authorityId}` : ''}: signed, encrypted requests between competent authorities`,
      )
      .setVersion('1')
      // Every officer endpoint takes a bearer token or a service account's API key; the public
      // and peer endpoints say otherwise (Public, PeerSigned).
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
}
