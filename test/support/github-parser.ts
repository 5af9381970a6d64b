/**
 * GitHub's own workflow and action parser (@actions/workflow-parser), as a
 * child process: the package imports its JSON schemas without an import
 * attribute, which Node refuses, and vitest leaves node_modules to Node. Run
 * under tsx (`node --import tsx`), whose loader accepts them. Reads a JSON
 * array of requests on stdin and writes one array of error messages per
 * request on stdout.
 */
import { text } from 'node:stream/consumers';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';

export interface ParseRequest {
  readonly kind: 'workflow' | 'action';
  readonly name: string;
  readonly content: string;
}

function errorsOf({ kind, name, content }: ParseRequest): string[] {
  const file = { name, content };
  const result =
    kind === 'action'
      ? parseAction(file, new NoOperationTraceWriter())
      : parseWorkflow(file, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

const requests = JSON.parse(await text(process.stdin)) as ParseRequest[];
process.stdout.write(JSON.stringify(requests.map(errorsOf)));
