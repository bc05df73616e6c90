import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';
import { EraseDueContent } from './erase-due-content.use-case.js';

/** Runs the erasure once per node (whichever process leads `retention-erase`) every interval. */
@Injectable()
export class RetentionTask implements OnModuleInit {
  constructor(
    private readonly erase: EraseDueContent,
    private readonly tasks: PeriodicTasks,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: 'retention-erase',
      intervalMs: this.config.retention.intervalMs,
      run: () => this.erase.run(),
    });
  }
}
