import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { stockHandlers } from './stock.commands';
import { StockController } from './stock.controller';

@Module({ imports: [CommandSupportModule], controllers: [StockController], providers: [...stockHandlers] })
export class StockModule {}
