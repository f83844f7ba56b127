// AWS Signature Version 4 for a DynamoDB JSON request (POST /), written out so the lease thread needs
// no SDK signer. The steps and names follow the SigV4 reference: canonical request, string to sign,
// derived signing key, Authorization header. test/aws/json-protocol.test.ts checks every signature
// against the SDK's own signer (@smithy/signature-v4) for the same request.
import { createHash, createHmac } from "node:crypto";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  credentials: Credentials;
  region: string;
  service: string;
  host: string;
  /** Header names in lower case; every one is signed (the caller leaves out unsignable ones). */
  headers: Record<string, string>;
  body: string;
  /** Wall-clock milliseconds of the signature (the caller corrects for clock skew). */
  at: number;
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** 20261127T213000Z */
export function amzDate(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Derived keys are valid for a whole day and region: cached, as the SDK's signer does. */
const keyCache = new Map<string, Buffer>();

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}\n${day}\n${region}\n${service}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request");
    if (keyCache.size > 32) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

/**
 * Returns the headers to send: the input's plus host, the payload hash, x-amz-date, the session token and
 * Authorization.
 */
export function signRequest(o: SignInput): Record<string, string> {
  const date = amzDate(o.at);
  const day = date.slice(0, 8);
  const payloadHash = sha256Hex(o.body);
  // The SDK's signer sends the payload's hash as a header too (and signs it): so does this one.
  const headers: Record<string, string> = {
    ...o.headers,
    host: o.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": date,
  };
  if (o.credentials.sessionToken) headers["x-amz-security-token"] = o.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, " ")}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = ["POST", "/", "", canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${o.region}/${o.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", date, scope, sha256Hex(canonicalRequest)].join("\n");
  const signature = createHmac("sha256", signingKey(o.credentials.secretAccessKey, day, o.region, o.service))
    .update(stringToSign, "utf8")
    .digest("hex");
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${o.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
