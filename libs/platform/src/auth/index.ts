export * from './principal';
export * from './token';
export * from './auth.decorators';
export * from './auth.guard';
export * from './auth.module';
