import {
  AuthleteTypeUrl,
  type AuthleteTokenCall,
  type AuthleteTokenCallMetadata,
  type AuthleteTokenCallOperation,
  type AuthleteTokenCallResponse,
  type AuthleteTokenCallResults,
  type Status,
} from '../api';
import { OperationState, type FailedOperation } from './operation-state';

export interface AuthleteTokenCallFields {
  id: string;
  description: string;
  createdAt: Date;
  createdBy: string;
  connection: string;
  serviceId: string;
  call: AuthleteTokenCall | 'unknown';
  target: string;
  subjectId?: string;
}

/**
 * The Operation of an `authleteTokenCall` workflow: one Authlete call, its answer as the response.
 * The Web UI's current details name the call and never its answer (which may hold tokens).
 */
export class AuthleteTokenCallState extends OperationState<
  AuthleteTokenCallMetadata,
  AuthleteTokenCallResponse
> {
  constructor(f: AuthleteTokenCallFields) {
    const at = f.createdAt.toISOString();
    super({
      id: f.id,
      description: f.description,
      createdAt: at,
      createdBy: f.createdBy,
      modifiedAt: at,
      done: false,
      metadata: {
        '@type': AuthleteTypeUrl.tokenCallMetadata,
        provider: 'authlete',
        connection: f.connection,
        serviceId: f.serviceId,
        call: f.call,
        target: f.target,
        attempts: 0,
        ...(f.subjectId !== undefined ? { subjectId: f.subjectId } : {}),
      },
    });
    this.touch();
  }

  answered<C extends AuthleteTokenCall>(
    call: C,
    result: AuthleteTokenCallResults[C],
  ): AuthleteTokenCallOperation {
    const response: AuthleteTokenCallResponse<C> = {
      '@type': AuthleteTypeUrl.tokenCallResponse,
      call,
      result,
    };
    return this.succeed(response as unknown as AuthleteTokenCallResponse, {
      attempts: this.op.metadata.attempts + 1,
    });
  }

  ended(
    status: Status,
    calledProvider: boolean,
  ): FailedOperation<AuthleteTokenCallMetadata, AuthleteTokenCallResponse> {
    return this.fail(status, calledProvider ? { attempts: this.op.metadata.attempts + 1 } : {});
  }

  protected override currentDetails(): string {
    const m = this.op.metadata;
    const state = !this.op.done ? 'running' : this.op.error ? 'failed' : 'done';
    return `Authlete ${m.call} (${state}): ${m.target}, connection ${m.connection}`;
  }
}
