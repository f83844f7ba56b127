// One call of an AWS JSON-protocol service: `operation` is the X-Amz-Target suffix; the output type
// rides along for send(). The services' commands (dynamodb-http/commands.ts, kinesis/aws-get-records.ts)
// extend it with the SDK's own input and output types, which are erased: no SDK code is loaded.
export class JsonCommand<Input extends object, Output extends object> {
  declare readonly _output?: Output;
  constructor(
    readonly operation: string,
    readonly input: Input,
  ) {}
}
