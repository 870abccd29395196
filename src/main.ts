/**
 * Process entry point: `node src/main.ts`. Exits with status 1 and a message
 * naming the setting when the configuration is invalid.
 */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { loadPriceList, PricingError } from './pricing/index.ts';
import { startGateway } from './server.ts';

async function main(): Promise<void> {
  let config;

  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tollgate: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger(config.logLevel);

  let gateway;
  try {
    gateway = await startGateway(config, logger);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PricingError) {
      process.stderr.write(`tollgate: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };

  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  process.on('SIGHUP', () => {
    try {
      gateway.pricing.current = loadPriceList(config.pricingFile);
      logger.info({ version: gateway.pricing.current.version }, 'price list reloaded');
    } catch (error) {
      logger.error({ err: error }, 'price list not reloaded; the previous one stays in force');
    }
  });
}

await main();
