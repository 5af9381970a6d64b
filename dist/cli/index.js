#!/usr/bin/env node
import { cliMain } from '../index.js';

await cliMain();
