import type { BusStore } from '../../bus-contract.js';
import type { SqliteContext } from '../core/context.js';
import * as archives from './archives.js';
import * as config from './config.js';
import * as replays from './replays.js';
import * as resources from './resources.js';
import { claimDeliveries, nextDeliveryAt, settleDelivery } from './deliveries.js';
import { dispatch, listParked, parkEvents, putEvents, redispatchParked, removeEventsBefore, traceEvent } from './events.js';

/** The SQLite bus store; `guard` turns every call into a promise that rejects once the store is closed. */
export function sqliteBusStore(ctx: SqliteContext, guard: <T>(fn: () => T | Promise<T>) => Promise<T>): BusStore {
  return {
    createBus: (name, fields) => guard(() => config.createBus(ctx, name, fields)),
    getBus: (name) => guard(() => config.getBus(ctx, name)),
    listBuses: (prefix, after, limit) => guard(() => config.listBuses(ctx, prefix, after, limit)),
    updateBus: (id, fields) => guard(() => config.updateBus(ctx, id, fields)),
    deleteBus: (id) => guard(() => config.deleteBus(ctx, id)),
    putRule: (busId, name, fields) => guard(() => config.putRule(ctx, busId, name, fields)),
    getRule: (busId, name) => guard(() => config.getRule(ctx, busId, name)),
    listRules: (busId, prefix, after, limit) => guard(() => config.listRules(ctx, busId, prefix, after, limit)),
    deleteRule: (busId, name) => guard(() => config.deleteRule(ctx, busId, name)),
    putTargets: (ruleId, targets, max) => guard(() => config.putTargets(ctx, ruleId, targets, max)),
    removeTargets: (ruleId, ids) => guard(() => config.removeTargets(ctx, ruleId, ids)),
    loadRules: () => guard(() => config.loadRules(ctx)),
    rulesVersion: () => guard(() => config.rulesVersion(ctx)),
    dueSchedules: (now, limit) => guard(() => config.dueSchedules(ctx, now, limit)),
    nextScheduleAt: () => guard(() => config.nextScheduleAt(ctx)),
    fireSchedule: (ruleId, dueAt, nextAt, event) => guard(() => config.fireSchedule(ctx, ruleId, dueAt, nextAt, event)),
    putEvents: (events) => guard(() => (events.length === 0 ? [] : putEvents(ctx, events))),
    dispatch: (batch, plan) => guard(() => dispatch(ctx, batch, plan)),
    parkEvents: (parked) => guard(() => parkEvents(ctx, parked)),
    listParked: (after, limit) => guard(() => listParked(ctx, after, limit)),
    redispatchParked: (positions, limit) => guard(() => redispatchParked(ctx, positions, limit)),
    claimDeliveries: (filter, limit, leaseMs) => guard(() => claimDeliveries(ctx, filter, limit, leaseMs)),
    settleDelivery: (id, lease, s) => guard(() => settleDelivery(ctx, id, lease, s)),
    nextDeliveryAt: (filter) => guard(() => nextDeliveryAt(ctx, filter)),
    traceEvent: (eventId) => guard(() => traceEvent(ctx, eventId)),
    removeEventsBefore: (before, limit) => guard(() => removeEventsBefore(ctx, before, limit)),
    createArchive: (name, busId, f) => guard(() => archives.createArchive(ctx, name, busId, f)),
    getArchive: (name) => guard(() => archives.getArchive(ctx, name)),
    listArchives: (prefix, busId, after, limit) => guard(() => archives.listArchives(ctx, prefix, busId, after, limit)),
    updateArchive: (id, f) => guard(() => archives.updateArchive(ctx, id, f)),
    deleteArchive: (id) => guard(() => archives.deleteArchive(ctx, id)),
    readArchive: (id, from, to, cursor, limit) => guard(() => archives.readArchive(ctx, id, from, to, cursor, limit)),
    archiveSize: (id) => guard(() => archives.archiveSize(ctx, id)),
    removeExpiredArchived: (now, limit) => guard(() => archives.removeExpiredArchived(ctx, now, limit)),
    putResource: (kind, name, record, mode) => guard(() => resources.putResource(ctx, kind, name, record, mode)),
    getResource: (kind, name) => guard(() => resources.getResource(ctx, kind, name)),
    listResources: (kind, prefix, after, limit) => guard(() => resources.listResources(ctx, kind, prefix, after, limit)),
    deleteResource: (kind, name) => guard(() => resources.deleteResource(ctx, kind, name)),
    createReplay: (r) => guard(() => replays.createReplay(ctx, r)),
    getReplay: (name) => guard(() => replays.getReplay(ctx, name)),
    listReplays: (prefix, state, archiveArn, after, limit) => guard(() => replays.listReplays(ctx, prefix, state, archiveArn, after, limit)),
    updateReplay: (name, patch, when, events) => guard(() => replays.updateReplay(ctx, name, patch, when, events)),
    onWake: (key, listener) => ctx.wake.on(key, listener),
  };
}
