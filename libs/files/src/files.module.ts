import { Module } from '@nestjs/common';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { loadFilesConfig, systemFreeSpace } from './uploads/files-config.js';
import { UploadsRepository } from './uploads/uploads.repository.js';
import { FILES_CONFIG, FREE_SPACE, UploadsService } from './uploads/uploads.service.js';

/** Evidence files in the gateway: uploads (tus), downloads, the expiry sweep. */
@Module({
  providers: [
    {
      provide: FILES_CONFIG,
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => loadFilesConfig(config.database.schema),
    },
    { provide: FREE_SPACE, useValue: systemFreeSpace },
    UploadsRepository,
    UploadsService,
  ],
  exports: [UploadsService, UploadsRepository, FILES_CONFIG],
})
export class FilesModule {}
