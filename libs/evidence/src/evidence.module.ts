import { Module } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { ExportEvidence } from './export-evidence.use-case.js';

@Module({ imports: [MessagingModule], providers: [ExportEvidence], exports: [ExportEvidence] })
export class EvidenceModule {}
