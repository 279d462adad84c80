import type { EvidenceReference, RevokeTokensOperation, Status } from '../api';
import {
  newRevokeSubjectOperation,
  RevokeSubjectTypeUrl,
  type ChildState,
  type NewSubjectOperationFields,
  type RevokeSubjectChildOutcome,
  type RevokeSubjectMetadata,
  type RevokeSubjectResponse,
} from '../api/revoke-subject-input';
import { subjectCurrentDetails } from './current-details';
import { OperationState } from './operation-state';

/**
 * The Operation of a `revokeSubject` workflow: one entry per child, the counters, and the report
 * built from each child's end.
 */
export class RevokeSubjectState extends OperationState<RevokeSubjectMetadata, RevokeSubjectResponse> {
  private readonly outcomes = new Map<number, RevokeSubjectChildOutcome>();
  /** The children's evidence (runs from the `subject-evidence` patch on). */
  evidence: EvidenceReference | undefined;

  constructor(init: NewSubjectOperationFields) {
    super(newRevokeSubjectOperation(init));
    this.touch();
  }

  get counts(): { total: number; succeeded: number; failed: number; cancelled: number } {
    const { total, succeeded, failed, cancelled } = this.op.metadata;
    return { total, succeeded, failed, cancelled };
  }

  childSucceeded(index: number, child: RevokeTokensOperation): void {
    this.settle(index, 'SUCCEEDED', child.response ? { response: child.response } : {});
  }

  childEnded(index: number, state: 'FAILED' | 'CANCELLED', error: Status): void {
    this.settle(index, state, { error });
  }

  /** The report, in child index order: the response of a success, the error detail otherwise. */
  report(): RevokeSubjectResponse {
    const md = this.op.metadata;
    return {
      '@type': RevokeSubjectTypeUrl.response,
      subject: md.subject,
      total: md.total,
      succeeded: md.succeeded,
      failed: md.failed,
      cancelled: md.cancelled,
      children: md.children.map((_, i) => this.outcomes.get(i)).filter((o) => o !== undefined),
      ...(this.evidence ? { evidence: this.evidence } : {}),
    };
  }

  protected override currentDetails(): string {
    return subjectCurrentDetails(this.op.metadata, this.op);
  }

  private settle(
    index: number,
    state: Exclude<ChildState, 'RUNNING'>,
    extra: Partial<RevokeSubjectChildOutcome>,
  ) {
    const md = this.op.metadata;
    const child = md.children[index];
    if (!child || child.state !== 'RUNNING') return;
    child.state = state;
    if (extra.error) child.error = extra.error;
    md.running -= 1;
    if (state === 'SUCCEEDED') md.succeeded += 1;
    else md.failed += 1;
    if (state === 'CANCELLED') md.cancelled += 1;
    this.outcomes.set(index, {
      id: child.id,
      provider: child.provider,
      connection: child.connection,
      target: child.target,
      outcome: state,
      ...extra,
    });
    this.touch();
  }
}
