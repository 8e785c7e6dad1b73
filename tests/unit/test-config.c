/* test-config.c - tcpdp config files, the printer, byte sizes. */
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "test.h"

static const char *
fixture(const char *name)
{
	static char	p[1024];
	const char	*d = getenv("TCPDP_FIXTURES");

	snprintf(p, sizeof p, "%s/%s", d ? d : "../shared/fixtures", name);
	return p;
}

static char *
printed(const struct config *c)
{
	char	*s = NULL;
	size_t	 n = 0;
	FILE	*f = open_memstream(&s, &n);

	config_print(c, f);
	fclose(f);
	return s;
}

static const char *
tmpfile_with(const char *text)
{
	static char	path[64];
	FILE		*f;
	int		 fd;

	strcpy(path, "/tmp/tcpdp-cfg-XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

TEST(config_readme_example_roundtrip)
{
	struct config	a, b;
	char		err[512], *pa, *pb;
	const char	*tmp;

	config_defaults(&a);
	CHECK_INT(config_load(&a, fixture("upstream/readme_example.toml"), err,
	    sizeof err), 0);
	CHECK_STR(a.dumper, "mysql");
	CHECK_STR(a.probe.snapshot_length, "auto");
	CHECK_STR(a.log.format, "ltsv");
	CHECK(a.log.enable_internal);
	CHECK_STR(a.log.rotation_hook, "/path/to/after_rotate.sh");
	CHECK_STR(a.dump_log.rotation_time, "hourly");
	CHECK_INT(a.dump_log.rotation_count, 24);
	pa = printed(&a);
	tmp = tmpfile_with(pa);
	config_defaults(&b);
	CHECK_INT(config_load(&b, tmp, err, sizeof err), 0);
	pb = printed(&b);
	CHECK_STR(pb, pa);
	unlink(tmp);
	free(pa);
	free(pb);
	config_free(&a);
	config_free(&b);
}

TEST(config_upstream_outputs_load)
{
	static const char *files[] = { "upstream/config_default.out",
	    "upstream/config_with_hooks.out" };
	struct config	c;
	char		err[512], *p;
	size_t		i;
	FILE		*f;
	char		want[2048];
	size_t		n;

	for (i = 0; i < 2; i++) {
		config_defaults(&c);
		CHECK_INT(config_load(&c, fixture(files[i]), err, sizeof err), 0);
		p = printed(&c);
		f = fopen(fixture(files[i]), "r");
		n = f ? fread(want, 1, sizeof want - 1, f) : 0;
		if (f)
			fclose(f);
		want[n] = '\0';
		CHECK_STR(p, want);
		free(p);
		config_free(&c);
	}
}

TEST(config_toml_shapes)
{
	struct config	c;
	char		err[512];
	const char	*tmp;

	tmp = tmpfile_with(
	    "# comment\n"
	    "[TCPDP]\n"
	    "  PIDFILE = \"/run/a;b.pid\"   # trailing comment\n"
	    "\tdumper='pg'\n"
	    "proxyprotocol = true\n"
	    "[probe]\n"
	    "internalBufferLength = \"20000\"\n"
	    "filter = \"port 5432 and not host \\\"x\\\"\"\n"
	    "bufferSize = 2097152\n"
	    "[dumplog]\n"
	    "rotationcount = -1\n"
	    "stdoutFormat = \"ltsv\"\n");
	config_defaults(&c);
	CHECK_INT(config_load(&c, tmp, err, sizeof err), 0);
	CHECK_STR(c.pidfile, "/run/a;b.pid");
	CHECK_STR(c.dumper, "pg");
	CHECK(c.proxy_protocol);
	CHECK_INT(c.probe.internal_buffer_length, 20000);
	CHECK_STR(c.probe.filter, "port 5432 and not host \"x\"");
	CHECK_STR(c.probe.buffer_size, "2097152");
	CHECK_INT(c.dump_log.rotation_count, -1);
	CHECK_STR(c.dump_log.stdout_format, "ltsv");
	unlink(tmp);
	config_free(&c);
}

TEST(config_errors_name_file_line_key)
{
	struct config	c;
	char		err[512];
	const char	*tmp;

	tmp = tmpfile_with("[log]\nenable = true\nrotationCount = many\n");
	config_defaults(&c);
	CHECK_INT(config_load(&c, tmp, err, sizeof err), -1);
	CHECK(strstr(err, tmp) != NULL);
	CHECK(strstr(err, ":3:") != NULL);
	CHECK(strstr(err, "log.rotationCount") != NULL);
	unlink(tmp);
	config_free(&c);

	tmp = tmpfile_with("[log]\nenable = yes please\n");
	config_defaults(&c);
	CHECK_INT(config_load(&c, tmp, err, sizeof err), -1);
	CHECK(strstr(err, ":2:") != NULL && strstr(err, "log.enable") != NULL);
	unlink(tmp);
	config_free(&c);

	tmp = tmpfile_with("[log]\nfileName = \"unterminated\n");
	config_defaults(&c);
	CHECK_INT(config_load(&c, tmp, err, sizeof err), -1);
	unlink(tmp);
	config_free(&c);

	/* unknown keys only warn */
	tmp = tmpfile_with("[log]\nnoSuchKey = 1\n[nosection]\nx = 2\n");
	config_defaults(&c);
	CHECK_INT(config_load(&c, tmp, err, sizeof err), 0);
	unlink(tmp);
	config_free(&c);

	config_defaults(&c);
	CHECK_INT(config_load(&c, "/nonexistent/x.toml", err, sizeof err), -1);
	CHECK(strstr(err, "/nonexistent/x.toml") != NULL);
	config_free(&c);
}

TEST(bytesize_vectors)
{
	CHECK_INT(bytesize_parse("2MB"), 2097152);
	CHECK_INT(bytesize_parse("1.5k"), 1536);
	CHECK_INT(bytesize_parse("64MB"), 67108864);
	CHECK_INT(bytesize_parse("65535"), 65535);
	CHECK_INT(bytesize_parse("65535B"), 65535);
	CHECK_INT(bytesize_parse(" 2MiB "), 2097152);
	CHECK_INT(bytesize_parse("1G"), 1073741824LL);
	CHECK_INT(bytesize_parse("0"), -1);
	CHECK_INT(bytesize_parse("-1MB"), -1);
	CHECK_INT(bytesize_parse("2 MB"), -1);
	CHECK_INT(bytesize_parse("2XB"), -1);
	CHECK_INT(bytesize_parse("MB"), -1);
	CHECK_INT(bytesize_parse(""), -1);
	CHECK_INT(bytesize_parse("auto"), -1);
	CHECK_INT(bytesize_parse("99999999999E"), -1);
}
