// Every workflow the worker registers.
export { orderWorkflow } from './order';
export { orderLineWorkflow } from './order-line';
export { subscriptionWorkflow } from './subscription';
export { orderWithdrawalWorkflow } from './order-withdrawal';
export { emailDeliveryWorkflow } from './email-delivery';
export { ticketWorkflow } from './ticket';
export { sellerCaseWorkflow } from './seller-case';
