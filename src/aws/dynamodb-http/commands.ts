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

import { JsonCommand } from "../json-protocol/command.ts";

export class GetItemCommand extends JsonCommand<GetItemCommandInput, GetItemCommandOutput> {
  constructor(input: GetItemCommandInput) {
    super("GetItem", input);
  }
}
export class PutItemCommand extends JsonCommand<PutItemCommandInput, PutItemCommandOutput> {
  constructor(input: PutItemCommandInput) {
    super("PutItem", input);
  }
}
export class UpdateItemCommand extends JsonCommand<UpdateItemCommandInput, UpdateItemCommandOutput> {
  constructor(input: UpdateItemCommandInput) {
    super("UpdateItem", input);
  }
}
export class DeleteItemCommand extends JsonCommand<DeleteItemCommandInput, DeleteItemCommandOutput> {
  constructor(input: DeleteItemCommandInput) {
    super("DeleteItem", input);
  }
}
export class ScanCommand extends JsonCommand<ScanCommandInput, ScanCommandOutput> {
  constructor(input: ScanCommandInput) {
    super("Scan", input);
  }
}
export class QueryCommand extends JsonCommand<QueryCommandInput, QueryCommandOutput> {
  constructor(input: QueryCommandInput) {
    super("Query", input);
  }
}
export class BatchExecuteStatementCommand extends JsonCommand<
  BatchExecuteStatementCommandInput,
  BatchExecuteStatementCommandOutput
> {
  constructor(input: BatchExecuteStatementCommandInput) {
    super("BatchExecuteStatement", input);
  }
}
export class DescribeTableCommand extends JsonCommand<DescribeTableCommandInput, DescribeTableCommandOutput> {
  constructor(input: DescribeTableCommandInput) {
    super("DescribeTable", input);
  }
}
export class CreateTableCommand extends JsonCommand<CreateTableCommandInput, CreateTableCommandOutput> {
  constructor(input: CreateTableCommandInput) {
    super("CreateTable", input);
  }
}
export class UpdateTableCommand extends JsonCommand<UpdateTableCommandInput, UpdateTableCommandOutput> {
  constructor(input: UpdateTableCommandInput) {
    super("UpdateTable", input);
  }
}
