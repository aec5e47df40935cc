namespace OpenTfa.Cli;

/// <summary>The exit codes of <c>opentfa</c>, documented in docs/cli.md; scripts branch on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The server refused the request (a 4xx answer: bad input, key, scope, id or a limit).</summary>
    public const int ApiError = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or malformed value, no API key.</summary>
    public const int Usage = 2;

    /// <summary>The server cannot be reached, timed out, answered 5xx or is not ready.</summary>
    public const int Unavailable = 3;

    /// <summary><c>pin verify</c>: the PIN was not accepted (wrong, expired or out of attempts).</summary>
    public const int VerificationFailed = 4;
}
