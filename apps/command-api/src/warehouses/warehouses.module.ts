import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { warehouseHandlers } from './warehouses.commands';
import { WarehousesController } from './warehouses.controller';

@Module({ imports: [CommandSupportModule], controllers: [WarehousesController], providers: [...warehouseHandlers] })
export class WarehousesModule {}
