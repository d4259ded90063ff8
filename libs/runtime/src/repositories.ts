import {
  AccountRepository,
  AuditPartitionRepository,
  ConsoleReadsRepository,
  DeliveryRepository,
  EndpointHealthRepository,
  MerchantRepository,
  PortalSessionRepository,
  ReplayScheduleRepository,
  ResendFanoutRepository,
  ResendJobRepository,
  ResendJobStatsRepository,
  ResendRequestRepository,
  SecretBox,
  TransactionRepository,
  WebhookLogRepository,
  type DataSource,
} from '@wr/db';

/** Every repository, over one data source. */
export interface Repositories {
  accounts: AccountRepository;
  merchants: MerchantRepository;
  transactions: TransactionRepository;
  webhookLogs: WebhookLogRepository;
  auditPartitions: AuditPartitionRepository;
  deliveries: DeliveryRepository;
  resendJobs: ResendJobRepository;
  resendFanouts: ResendFanoutRepository;
  resendRequests: ResendRequestRepository;
  resendJobStats: ResendJobStatsRepository;
  schedules: ReplayScheduleRepository;
  endpointHealth: EndpointHealthRepository;
  portalSessions: PortalSessionRepository;
  consoleReads: ConsoleReadsRepository;
}

/** `secretsKey` seals and opens the merchants' webhook secrets (encryption at rest). */
export function createRepositories(db: DataSource, secretsKey: string): Repositories {
  return {
    accounts: new AccountRepository(db),
    merchants: new MerchantRepository(db, new SecretBox(secretsKey)),
    transactions: new TransactionRepository(db),
    webhookLogs: new WebhookLogRepository(db),
    auditPartitions: new AuditPartitionRepository(db),
    deliveries: new DeliveryRepository(db),
    resendJobs: new ResendJobRepository(db),
    resendFanouts: new ResendFanoutRepository(db),
    resendRequests: new ResendRequestRepository(db),
    resendJobStats: new ResendJobStatsRepository(db),
    schedules: new ReplayScheduleRepository(db),
    endpointHealth: new EndpointHealthRepository(db),
    portalSessions: new PortalSessionRepository(db),
    consoleReads: new ConsoleReadsRepository(db),
  };
}
