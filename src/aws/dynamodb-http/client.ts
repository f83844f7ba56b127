// The lease table's DynamoDB client: the JSON-protocol client (../json-protocol) speaking DynamoDB.
// Every lease-table store uses it; the lease thread loads nothing else to reach DynamoDB.
import { type AwsJsonOptions, AwsJsonClient, DYNAMODB } from "../json-protocol/client.ts";

export class DynamoDbHttpClient extends AwsJsonClient {
  constructor(o: AwsJsonOptions) {
    super(o, DYNAMODB);
  }
}
