// asl-validator 4 ships no type declarations.
declare module 'asl-validator' {
  export default function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): Promise<{ isValid: boolean; errors: unknown[] }>;
}
