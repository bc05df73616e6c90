import { Module, type DynamicModule } from '@nestjs/common';
import { KEY_EXPIRY_PERIODIC, KeyExpiryMonitor } from './key-expiry.monitor.js';

@Module({})
export class KeysModule {
  /** `periodic`: also check at every interval (the worker); otherwise at start-up only. */
  static forComponent(options: { periodic: boolean }): DynamicModule {
    return {
      module: KeysModule,
      providers: [KeyExpiryMonitor, { provide: KEY_EXPIRY_PERIODIC, useValue: options.periodic }],
      exports: [KeyExpiryMonitor],
    };
  }
}
