/**
 * One page of a list, with the total the list would have unpaged.
 *
 * @example
 * const { items, total }: Page<UserRecord> = await data.users.listUsers({ offset: 0, limit: 20 });
 */
export interface Page<T> {
  items: T[];
  total: number;
}
