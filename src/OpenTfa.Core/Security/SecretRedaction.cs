using System.Text.RegularExpressions;

namespace OpenTfa.Core.Security;

/// <summary>
/// What start-up and validation messages may show of a setting: nothing of a setting whose
/// name marks it secret, and a URL or connection string with its credentials replaced.
/// </summary>
public static partial class SecretRedaction
{
    public const string Hidden = "***";

    /// <summary>Whether the last segment of a setting's name says it holds a secret (password, secret, token, key…).</summary>
    public static bool IsSecretName(string settingName)
    {
        string last = settingName[(settingName.LastIndexOf(':') + 1)..];
        return SecretWord().IsMatch(last);
    }

    /// <summary>The value as a message may echo it.</summary>
    public static string Value(string settingName, string? value) =>
        value is null ? string.Empty : IsSecretName(settingName) ? Hidden : Text(value);

    /// <summary>Any text with URL user info and secret-named parameters (<c>password=…</c>, <c>token=…</c>) masked.</summary>
    public static string Text(string text) =>
        SecretParameter().Replace(UserInfo().Replace(text, "://" + Hidden + "@"), m => m.Groups["name"].Value + "=" + Hidden);

    [GeneratedRegex("pass|pwd|secret|token|key|credential|auth|signature", RegexOptions.IgnoreCase)]
    private static partial Regex SecretWord();

    [GeneratedRegex(@"://[^/@\s'""]*@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<name>[^\s?&;=,'""]*(?:pass|pwd|secret|token|key|credential|auth|signature)[^\s?&;=,'""]*)\s*=\s*(?<value>[^&;\s'""]*)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameter();
}
