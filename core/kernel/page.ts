/** One page of a list, newest or oldest first as the list says; `nextCursor` is opaque, null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
