import { MemoryStore } from '../../../internal/store/memory-store';
import { storeContract } from './contract';

storeContract('memory', { create: async () => new MemoryStore() });
