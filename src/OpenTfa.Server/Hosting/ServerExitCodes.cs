namespace OpenTfa.Server.Hosting;

/// <summary>
/// How the server process exits, documented in docs/operations.md: a service manager or a script
/// tells from the code alone which part to fix.
/// </summary>
public static class ServerExitCodes
{
    /// <summary>Stopped as asked (Ctrl+C, SIGTERM), or answered <c>--help</c> or <c>--version</c>.</summary>
    public const int Ok = 0;

    /// <summary>A failure nobody foresaw; the line on standard error names it.</summary>
    public const int Unexpected = 1;

    /// <summary>The settings are wrong: an unknown option, a malformed settings file, a bad value, a bad channel or route.</summary>
    public const int Configuration = 2;

    /// <summary>The store cannot be used: the data folder cannot be written, the database cannot be opened or reached.</summary>
    public const int Store = 3;

    /// <summary>The server cannot listen: the address is in use, not allowed or malformed.</summary>
    public const int Listener = 4;
}
