namespace OpenTfa.Server.Hosting;

/// <summary>Any secret setting X may be given as XFile, a path whose content is the value.</summary>
internal static class SecretSettings
{
    public static string? Resolve(string? value, string? file, string settingName)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{settingName}File points at '{file}', which does not exist.");
        }

        return File.ReadAllText(file).Trim();
    }
}
