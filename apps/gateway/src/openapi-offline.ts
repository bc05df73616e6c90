import type { Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants.js';
import { Test } from '@nestjs/testing';
import { DECORATORS, type OpenAPIObject } from '@nestjs/swagger';
import { GatewayModule } from './gateway.module.js';
import { MetricsController } from './http/metrics.controller.js';
import { describeGateway } from './openapi.js';

/** The controllers the gateway serves, as GatewayModule declares them (PrometheusModule adds /metrics). */
export function gatewayControllers(): Type[] {
  const declared = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, GatewayModule) ??
    []) as Type[];
  return [...declared, MetricsController];
}

/**
 * The gateway's OpenAPI document, without PostgreSQL, Redis or the node's keys. The document is
 * read from the controllers' decorators alone: their dependencies are never called, so each is
 * stood in for by an empty object. Controllers left out of the document (the queue dashboard,
 * which builds bull-board from its queues) are not instantiated.
 */
export async function offlineGatewayDocument(): Promise<OpenAPIObject> {
  const controllers = gatewayControllers().filter(
    (controller) => !Reflect.getMetadata(DECORATORS.API_EXCLUDE_CONTROLLER, controller),
  );
  const module = await Test.createTestingModule({ controllers })
    .useMocker(() => ({}))
    .compile();
  const app = module.createNestApplication({ logger: false });
  try {
    return describeGateway(app);
  } finally {
    await app.close();
  }
}
