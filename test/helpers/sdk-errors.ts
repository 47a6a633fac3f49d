/** The error a Backendless SDK call was refused with (its `code`, HTTP `status` and `message`), or a test failure. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; status: number; message: string };
  }
  throw new Error('expected the call to fail');
}
