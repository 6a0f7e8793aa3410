import type { Lang } from './text.generator';

/**
 * The provider-neutral demo book of business. The HubSpot and Salesforce stand-ins load these into
 * their own object shapes; keys are stable across runs with the same seed.
 */
export interface BookAccount {
  key: string;
  /** The Telco row this account came from (resampled rows beyond the file reuse an original). */
  sourceCustomerId: string;
  name: string;
  domain: string;
  industry: string;
  country: string;
  lang: Lang;
  ownerIndex: number;
  contract: 'Month-to-month' | 'One year' | 'Two year';
  tenureMonths: number;
  monthlyRevenue: number;
  totalRevenue: number;
  internetService: 'DSL' | 'Fiber optic' | 'No';
  services: string[];
  paymentMethod: string;
  paperlessBilling: boolean;
  seniorCitizen: boolean;
  partner: boolean;
  dependents: boolean;
  customerSince: string;
  renewalDate: string;
  status: 'active' | 'churned';
  churnedAt?: string;
}

export interface BookContact {
  key: string;
  accountKey: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  isPrimary: boolean;
  lang: Lang;
  createdAt: string;
}

export interface BookDeal {
  key: string;
  accountKey: string;
  name: string;
  kind: 'new' | 'renewal';
  stage: 'closedwon' | 'closedlost' | 'contractsent' | 'qualifiedtobuy';
  amount: number;
  closeDate: string;
  isClosed: boolean;
  isWon: boolean;
  createdAt: string;
  ownerIndex: number;
}

export interface BookTicket {
  key: string;
  accountKey: string;
  contactKey: string;
  subject: string;
  description: string;
  topic: string;
  lang: Lang;
  status: 'open' | 'pending' | 'closed';
  priority: 'low' | 'medium' | 'high' | 'urgent';
  createdAt: string;
  closedAt?: string;
}

export interface BookActivity {
  key: string;
  accountKey: string;
  contactKey: string;
  type: 'email' | 'call' | 'meeting' | 'note' | 'task';
  occurredAt: string;
  subject: string;
  body: string;
  lang: Lang;
  direction?: 'inbound' | 'outbound';
  taskStatus?: 'open' | 'completed';
  ownerIndex: number;
}

export interface BookTransaction {
  key: string;
  accountKey: string;
  kind: 'invoice' | 'payment';
  occurredAt: string;
  amount: number;
  currency: 'USD';
  dueDate?: string;
  paidAt?: string;
}

/** Everything generated for one account; generated independently of every other account. */
export interface AccountBundle {
  account: BookAccount;
  contacts: BookContact[];
  deals: BookDeal[];
  tickets: BookTicket[];
  activities: BookActivity[];
  transactions: BookTransaction[];
}

export interface BookOwner {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
}

export interface Book {
  seed: number;
  asOf: string;
  /** History (tickets, activities, invoices) ends here; churn happens between cutoff and asOf. */
  cutoff: string;
  owners: BookOwner[];
  bundles: AccountBundle[];
}
