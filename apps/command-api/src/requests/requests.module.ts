import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { requestHandlers } from './requests.commands';
import { RequestsController } from './requests.controller';

@Module({ imports: [CommandSupportModule], controllers: [RequestsController], providers: [...requestHandlers] })
export class RequestsModule {}
