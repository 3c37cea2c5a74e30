using Marten;
using Marten.Services;
using Npgsql;

namespace Gateway.Api.Recording;

/// <summary>
/// Marten's logging without command parameters: Marten's default logger writes a failed command's parameters to the
/// log, and the recorder's commands carry request and response bodies — prompt text that erasure and retention could
/// never reach there. Failures are logged with the statement's first words and PostgreSQL's error code only.
/// </summary>
public sealed class QuietMartenLogger(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Executed schema update SQL ({Length} characters)", sql.Length);

    public void LogSuccess(NpgsqlCommand command)
    {
        if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug("Executed a database command ({Statement}…)", FirstWords(command.CommandText));
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
        if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug("Executed a database batch of {Count} commands", batch.BatchCommands.Count);
    }

    public void LogFailure(NpgsqlCommand command, Exception ex) =>
        logger.LogWarning("A database command failed ({Statement}…): {Error}", FirstWords(command.CommandText), DatabaseFailure.Describe(ex));

    public void LogFailure(NpgsqlBatch batch, Exception ex) =>
        logger.LogWarning("A database batch of {Count} commands failed: {Error}", batch.BatchCommands.Count, DatabaseFailure.Describe(ex));

    public void LogFailure(Exception ex, string message) => logger.LogWarning("{Message}: {Error}", message, DatabaseFailure.Describe(ex));

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }

    /// <summary>The statement's head names the table; parameter values never appear in the command text.</summary>
    static string FirstWords(string sql) => sql.Length <= 60 ? sql : sql[..60];
}
