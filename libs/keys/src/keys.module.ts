import { Module } from '@nestjs/common';
import { KeyExpiryMonitor } from './key-expiry.monitor.js';

/** Key lifecycle on a running node: expiry warnings at start-up and once per node periodically. */
@Module({ providers: [KeyExpiryMonitor], exports: [KeyExpiryMonitor] })
export class KeysModule {}
