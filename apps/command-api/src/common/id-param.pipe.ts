import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApiError } from '@lumbung/platform';
import { ID_PATTERN, ID_MESSAGE } from './dto/validators';

/** Path ids are checked like body ids: a malformed one is a 400 naming the parameter, not a 404. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
      const field = metadata.data ?? 'id';
      throw new ApiError(400, 'invalid-input', `invalid input: ${field} ${ID_MESSAGE}`, undefined, [{ field, reason: ID_MESSAGE }]);
    }
    return value;
  }
}
