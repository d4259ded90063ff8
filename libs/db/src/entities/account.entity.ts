import { EntitySchema } from 'typeorm';

export interface AccountRecord {
  id: number;
  name: string;
  createdAt: Date;
}

export const AccountEntity = new EntitySchema<AccountRecord>({
  name: 'Account',
  tableName: 'accounts',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
  },
});
