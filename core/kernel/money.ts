/** Money is integer minor units plus its currency: never a float. */
export interface Money {
  amount: number; // integer minor units (cents for USD, yen for JPY)
  currency: string; // ISO 4217
}
