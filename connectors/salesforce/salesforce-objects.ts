import type { EntityName } from '../../core';

/** The sObjects behind each canonical entity, read in this order (one pass covers them all). */
export const SALESFORCE_OBJECTS_BY_ENTITY: Record<EntityName, readonly SalesforceObjectName[]> = {
  account: ['Account'],
  contact: ['Contact'],
  opportunity: ['Opportunity'],
  ticket: ['Case'],
  activity: ['Task', 'Event'],
  // A custom object in the demo org (and many billing packages); override the fields for another one.
  transaction: ['Invoice__c'],
  // Salesforce core has no subscription object; subscriptions come from files or a billing package.
  subscription: [],
};

export type SalesforceObjectName = 'Account' | 'Contact' | 'Opportunity' | 'Case' | 'Task' | 'Event' | 'Invoice__c';

/** Fields read per object beyond Id, IsDeleted and SystemModstamp (Account adds the admin's mapping). */
export const SALESFORCE_READ_FIELDS: Record<SalesforceObjectName, readonly string[]> = {
  Account: ['Name', 'Website', 'Industry', 'BillingCountry', 'OwnerId'],
  Contact: ['AccountId', 'FirstName', 'LastName', 'Email', 'Phone', 'Title', 'OwnerId', 'Primary_Contact__c', 'Language__c'],
  Opportunity: ['AccountId', 'Name', 'StageName', 'Amount', 'CloseDate', 'IsClosed', 'IsWon', 'Type', 'OwnerId', 'CreatedDate'],
  Case: [
    'AccountId',
    'ContactId',
    'Subject',
    'Description',
    'Status',
    'Priority',
    'IsClosed',
    'ClosedDate',
    'CreatedDate',
    'Origin',
    'Type',
    'Language__c',
  ],
  Task: [
    'WhatId',
    'WhoId',
    'AccountId',
    'Subject',
    'Description',
    'ActivityDate',
    'Status',
    'TaskSubtype',
    'Type',
    'CallType',
    'OwnerId',
    'CreatedDate',
  ],
  Event: ['WhatId', 'WhoId', 'AccountId', 'Subject', 'Description', 'StartDateTime', 'ActivityDateTime', 'OwnerId', 'CreatedDate'],
  Invoice__c: [
    'Name',
    'Account__c',
    'Invoice_Date__c',
    'Due_Date__c',
    'Amount__c',
    'Paid_At__c',
    'Status__c',
    'CurrencyIsoCode',
    'CreatedDate',
  ],
};

/** Salesforce id key prefixes we link by (a WhatId may point at any object). */
export const ACCOUNT_KEY_PREFIX = '001';
export const CONTACT_KEY_PREFIX = '003';
