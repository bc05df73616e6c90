import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ChunkProgress } from '#libs/envelope';

export class NextChunkDto {
  @ApiProperty() attachment!: number;
  @ApiProperty() chunk!: number;
}

/** Where a message's files stand on the receiving node. */
export class ChunkProgressDto implements ChunkProgress {
  @ApiProperty() messageId!: string;
  @ApiProperty({
    type: NextChunkDto,
    nullable: true,
    description: 'the chunk expected next; null once every chunk is in',
  })
  next!: NextChunkDto | null;
  @ApiPropertyOptional({
    description: 'the signed receipt, once the envelope and every chunk are in',
  })
  receipt?: string;
}

export class WitnessStoredDto {
  @ApiProperty({ description: 'false when the same statement was already kept' }) stored!: boolean;
}
