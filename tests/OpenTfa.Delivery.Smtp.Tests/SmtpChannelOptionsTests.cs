using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Smtp.Tests;

public sealed class SmtpChannelOptionsTests
{
    private static readonly SmtpChannelFactory Factory = new();

    [Fact]
    public void Defaults_StartTlsOnPort587_TwentySecondTimeout_CertificatesValidated()
    {
        SmtpChannelOptions options = ChannelSettingsProbe.Read<SmtpChannelOptions>(Factory, ChannelSettingsProbe.Section("mail", ("Type", "smtp"), ("Host", "smtp.example.com")));

        Assert.Equal(SmtpSecurity.StartTls, options.Security);
        Assert.Equal(587, options.Port);
        Assert.False(options.AllowInvalidCertificate);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Timeout);
    }

    [Theory]
    [InlineData("None", 25)]
    [InlineData("Tls", 465)]
    [InlineData("starttls", 587)]
    public void PortFollowsSecurity(string security, int port)
    {
        SmtpChannelOptions options = ChannelSettingsProbe.Read<SmtpChannelOptions>(Factory, ChannelSettingsProbe.Section("mail", ("Host", "h"), ("Security", security)));

        Assert.Equal(port, options.Port);
    }

    [Fact]
    public void PasswordFile_IsRead()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "from-file\n");
        try
        {
            SmtpChannelOptions options = ChannelSettingsProbe.Read<SmtpChannelOptions>(Factory, ChannelSettingsProbe.Section("mail", ("Host", "h"), ("Username", "u"), ("PasswordFile", file)));

            Assert.Equal("from-file", options.Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void EveryBadSetting_IsNamed_AndNoPasswordIsShown()
    {
        IReadOnlyList<string> problems = ChannelSettingsProbe.Problems(Factory, ChannelSettingsProbe.Section("mail",
            ("Port", "99999"), ("From", "not an address"), ("Username", "u"), ("HeloName", "a b"), ("Timeout", "00:01:00"), ("PasswordFile", "/nonexistent/oops-typo")),
            TimeSpan.FromSeconds(30));

        string all = string.Join('\n', problems);
        Assert.Contains("OpenTfa:Channels:mail:Host is required", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Port must be between 1 and 65535, was 99999", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:From", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:HeloName", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Timeout (00:01:00) must be shorter than OpenTfa:Delivery:SendTimeout (00:00:30)", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:Password (or PasswordFile) is required when Username is set", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:mail:PasswordFile points at '/nonexistent/oops-typo', which does not exist", all, StringComparison.Ordinal);
    }
}
