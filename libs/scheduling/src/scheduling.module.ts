import { Global, Module } from '@nestjs/common';
import { NodeLeadership } from './node-leadership.js';
import { PeriodicTasks } from './periodic-tasks.js';

/** Periodic work, each task once per node (or per process where it claims its own items). */
@Global()
@Module({ providers: [NodeLeadership, PeriodicTasks], exports: [PeriodicTasks] })
export class SchedulingModule {}
