/** What jsforce throws for a Salesforce error answer (its code and body). */
export interface JsforceError extends Error {
  errorCode?: string;
  data?: unknown;
}

/** The error a jsforce call must end in; fails the test when the call succeeds. */
export async function failure(promise: PromiseLike<unknown>): Promise<JsforceError> {
  try {
    await promise;
  } catch (error) {
    return error as JsforceError;
  }
  throw new Error('expected the jsforce call to fail');
}
