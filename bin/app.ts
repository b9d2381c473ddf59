#!/usr/bin/env node
// `npx cdk synth -c stage=prod`: the stage comes from context (default dev); buildApp reads it.
import { buildApp } from '../infra/app';

buildApp().app.synth();
