// The lease table's DynamoDB operations as plain values: an operation name and the request as the
// SDK types it. The stores build these exactly as they would build the SDK's commands, but importing
// them loads no SDK code (the types are erased), so a thread whose only AWS service is the lease
// table (the lease thread) carries no SDK at all (README, "A lease thread without the AWS SDK").
import type {
  BatchExecuteStatementCommandInput,
  BatchExecuteStatementCommandOutput,
  CreateTableCommandInput,
  CreateTableCommandOutput,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  DescribeTableCommandInput,
  DescribeTableCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
  UpdateTableCommandInput,
  UpdateTableCommandOutput,
} from "@aws-sdk/client-dynamodb";

/** One DynamoDB call: `operation` is the X-Amz-Target suffix; the output type rides along for send(). */
export class DynamoCommand<Input extends object, Output extends object> {
  declare readonly _output?: Output;
  constructor(
    readonly operation: string,
    readonly input: Input,
  ) {}
}

export class GetItemCommand extends DynamoCommand<GetItemCommandInput, GetItemCommandOutput> {
  constructor(input: GetItemCommandInput) {
    super("GetItem", input);
  }
}
export class PutItemCommand extends DynamoCommand<PutItemCommandInput, PutItemCommandOutput> {
  constructor(input: PutItemCommandInput) {
    super("PutItem", input);
  }
}
export class UpdateItemCommand extends DynamoCommand<UpdateItemCommandInput, UpdateItemCommandOutput> {
  constructor(input: UpdateItemCommandInput) {
    super("UpdateItem", input);
  }
}
export class DeleteItemCommand extends DynamoCommand<DeleteItemCommandInput, DeleteItemCommandOutput> {
  constructor(input: DeleteItemCommandInput) {
    super("DeleteItem", input);
  }
}
export class ScanCommand extends DynamoCommand<ScanCommandInput, ScanCommandOutput> {
  constructor(input: ScanCommandInput) {
    super("Scan", input);
  }
}
export class QueryCommand extends DynamoCommand<QueryCommandInput, QueryCommandOutput> {
  constructor(input: QueryCommandInput) {
    super("Query", input);
  }
}
export class BatchExecuteStatementCommand extends DynamoCommand<
  BatchExecuteStatementCommandInput,
  BatchExecuteStatementCommandOutput
> {
  constructor(input: BatchExecuteStatementCommandInput) {
    super("BatchExecuteStatement", input);
  }
}
export class DescribeTableCommand extends DynamoCommand<
  DescribeTableCommandInput,
  DescribeTableCommandOutput
> {
  constructor(input: DescribeTableCommandInput) {
    super("DescribeTable", input);
  }
}
export class CreateTableCommand extends DynamoCommand<CreateTableCommandInput, CreateTableCommandOutput> {
  constructor(input: CreateTableCommandInput) {
    super("CreateTable", input);
  }
}
export class UpdateTableCommand extends DynamoCommand<UpdateTableCommandInput, UpdateTableCommandOutput> {
  constructor(input: UpdateTableCommandInput) {
    super("UpdateTable", input);
  }
}
