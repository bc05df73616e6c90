import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  NOTIFICATION_KINDS,
  NotificationSettings,
  UpdateNotificationSettings,
  type NotificationKind,
  type NotificationSettingsView,
} from '#libs/notifications';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { NotificationSettingsViewDto } from './responses/operations.dto.js';

class KindSettingDto {
  @ApiProperty({ enum: NOTIFICATION_KINDS }) @IsIn(NOTIFICATION_KINDS) kind!: NotificationKind;
  @ApiProperty() @IsBoolean() enabled!: boolean;
}

class NotificationSettingsDto {
  /** Where your notifications go; null removes the address (and every notification). */
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 254, format: 'email' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: [KindSettingDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(NOTIFICATION_KINDS.length)
  @ValidateNested({ each: true })
  @Type(() => KindSettingDto)
  kinds?: KindSettingDto[];
}

/** A user's own e-mail notifications: the address and the kinds, on or off (issue 14). */
@ApiTags('notifications')
@Controller('api/v1/me/notifications')
export class NotificationsController {
  constructor(
    private readonly settings: NotificationSettings,
    private readonly update: UpdateNotificationSettings,
  ) {}

  @Get()
  @Requires('notifications.own')
  @ApiOperation({
    summary:
      "Your e-mail notifications: the address, and each kind your roles are offered with whether it is on and its role's default",
  })
  @ApiOkResponse({ type: NotificationSettingsViewDto })
  read(@Officer() officer: OfficerContext): Promise<NotificationSettingsView> {
    return this.settings.execute(officer.principal);
  }

  @Put()
  @Requires('notifications.own')
  @ApiOperation({
    summary:
      'Changes your address and turns kinds on or off; what is absent stays (audited: user.notifications-changed, without the address)',
  })
  @ApiOkResponse({ type: NotificationSettingsViewDto })
  @ApiErrors({ 400: INVALID_INPUT })
  change(
    @Officer() officer: OfficerContext,
    @Body() body: NotificationSettingsDto,
  ): Promise<NotificationSettingsView> {
    return this.update.execute(officer.principal, body, officer.correlationId);
  }
}
