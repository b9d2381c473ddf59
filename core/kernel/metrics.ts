/** Business metrics a use case records (EMF in Lambda, nothing in tests). */
export interface BusinessMetrics {
  count(name: string, value?: number): void;
}

export const noMetrics: BusinessMetrics = { count: () => {} };
