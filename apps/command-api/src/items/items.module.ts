import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { itemHandlers } from './items.commands';
import { ItemsController } from './items.controller';

@Module({ imports: [CommandSupportModule], controllers: [ItemsController], providers: [...itemHandlers] })
export class ItemsModule {}
