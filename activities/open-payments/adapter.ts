/** STUB(open-payments): replaced by the Open Payments implementation. */
export class OpenPaymentsAdapter {}
