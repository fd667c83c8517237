import { getMetadataStorage, type MetadataStorage } from 'class-validator';

const MEMOISED = Symbol('lumbung:validation-metadata-memoised');

type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type ValidationMetadata = ReturnType<Lookup>[number];
type Target = Parameters<Lookup>[0];

/**
 * Makes class-validator's metadata lookup a map access. validate() asks the storage for the rules of
 * the object's class, and of each nested object's class, on every call; the storage answers by
 * walking every class that has rules (an `instanceof` test each, for inherited rules) and filtering
 * their rules: ~30-45 µs of a request's CPU in the APIs, for an answer that only changes when a class
 * with rules is defined. The answers are kept per class and options, and all are dropped whenever a
 * rule is added (decorators run when a class is defined, and @nestjs/mapped-types adds inherited ones
 * later), so a lookup never misses a rule. Callers only read the arrays (class-validator's executor,
 * Nest's ValidationPipe, which caches them per class itself). Idempotent.
 */
export function memoiseValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  const s = storage as MetadataStorage & { [MEMOISED]?: true };
  if (s[MEMOISED]) return;
  s[MEMOISED] = true;
  const lookup: Lookup = s.getTargetValidationMetadatas.bind(s);
  const addValidationMetadata = s.addValidationMetadata.bind(s);
  const addValidationSchema = s.addValidationSchema.bind(s);
  const known = new Map<Target, Map<string, ValidationMetadata[]>>();
  s.addValidationMetadata = (metadata) => {
    known.clear();
    addValidationMetadata(metadata);
  };
  s.addValidationSchema = (schema) => {
    known.clear();
    addValidationSchema(schema);
  };
  s.getTargetValidationMetadatas = (targetConstructor, targetSchema, always, strictGroups, groups) => {
    const key = `${targetSchema ?? ''}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let byOptions = known.get(targetConstructor);
    let metadatas = byOptions?.get(key);
    if (metadatas === undefined) {
      metadatas = lookup(targetConstructor, targetSchema, always, strictGroups, groups);
      if (!byOptions) known.set(targetConstructor, (byOptions = new Map()));
      byOptions.set(key, metadatas);
    }
    return metadatas;
  };
}
