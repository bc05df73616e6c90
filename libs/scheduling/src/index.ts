export { NodeLeadership } from './node-leadership.js';
export { PeriodicTasks, type PeriodicTask } from './periodic-tasks.js';
export { SchedulingModule } from './scheduling.module.js';
