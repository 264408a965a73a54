# Makes the Joplin fixtures: raw/ as Joplin 2.14/3.0 write a RAW export (BaseItem.serialize:
# title, blank line, body, blank line, "key: value" metadata), export.jex as its JEX export (a
# plain ustar archive of the same files and resources/), and the bad archives the tests refuse.
# Run it from anywhere: python3 tests/data/import/joplin/make-fixtures.py
import os, tarfile, io, shutil
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
raw=os.path.join(root,'joplin','raw')
shutil.rmtree(raw, ignore_errors=True)
os.makedirs(os.path.join(raw,'resources'))
def meta(**kw):
    return '\n'.join(f'{k}: {v}' for k,v in kw.items())
T='2024-01-31T12:00:00.000Z'
U='2024-02-01T08:30:00.123Z'
items={}
W='0a1b2c3d4e5f60718293a4b5c6d7e8f9'
P='1a1b2c3d4e5f60718293a4b5c6d7e8f9'
items[W]='Work\n\n'+meta(id=W,created_time=T,updated_time=T,user_created_time=T,user_updated_time=T,encryption_cipher_text='',encryption_applied=0,parent_id='',is_shared=0,share_id='',master_key_id='',icon='',user_data='',deleted_time=0,type_=2)
items[P]='Projects\n\n'+meta(id=P,created_time=T,updated_time=T,user_created_time=T,user_updated_time=T,encryption_cipher_text='',encryption_applied=0,parent_id=W,is_shared=0,share_id='',master_key_id='',icon='',user_data='',deleted_time=0,type_=2)
def note(id,title,body,parent,**extra):
    m=dict(id=id,parent_id=parent,created_time=T,updated_time=U,is_conflict=0,latitude='0.00000000',longitude='0.00000000',altitude='0.0000',author='',source_url='',is_todo=0,todo_due=0,todo_completed=0,source='joplin-desktop',source_application='net.cozic.joplin-desktop',application_data='',order=0,user_created_time=T,user_updated_time=U,encryption_cipher_text='',encryption_applied=0,markup_language=1,is_shared=0,share_id='',conflict_original_id='',master_key_id='',user_data='',deleted_time=0)
    m.update(extra); m['type_']=1
    return title+'\n\n'+body+('\n\n' if body else '')+meta(**m)
N1='2b1b2c3d4e5f60718293a4b5c6d7e8f9'
R='3c1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N1]=note(N1,'Garden plan','Beds for spring.\n\n- [ ] buy seeds\n- [x] dig\n\n![photo.jpg](:/'+R+')\n\nid: this line is text, not metadata',P)
N2='2c1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N2]=note(N2,'Call the plumber','Tuesday morning',W,is_todo=1,todo_completed=1706700000000)
N3='2d1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N3]=note(N3,'','A note without a title\nsecond line',W)
N4='2e1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N4]=note(N4,'Meeting','First meeting',W)
N5='2f1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N5]=note(N5,'Meeting','Second meeting',W)
N6='4a1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N6]=note(N6,'Clipped page','<p>Hello <b>web</b></p><ul><li>one</li><li>two</li></ul>',W,markup_language=2,source_url='https://example.com/')
N7='4b1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N7]=note(N7,'Old idea','In the trash',W,deleted_time=1706800000000)
N8='4c1b2c3d4e5f60718293a4b5c6d7e8f9'
items[N8]=note(N8,'Café ☕ Ünïcode','Grüße',P)
TG='5a1b2c3d4e5f60718293a4b5c6d7e8f9'
items[TG]='idea\n\n'+meta(id=TG,created_time=T,updated_time=T,user_created_time=T,user_updated_time=T,encryption_cipher_text='',encryption_applied=0,is_shared=0,parent_id='',user_data='',type_=5)
L='6a1b2c3d4e5f60718293a4b5c6d7e8f9'
items[L]=meta(id=L,note_id=N1,tag_id=TG,created_time=T,updated_time=T,user_created_time=T,user_updated_time=T,encryption_cipher_text='',encryption_applied=0,is_shared=0,type_=6)
items[R]='photo.jpg\n\n'+meta(id=R,mime='image/jpeg',filename='',created_time=T,updated_time=T,user_created_time=T,user_updated_time=T,file_extension='jpg',encryption_cipher_text='',encryption_applied=0,encryption_blob_encrypted=0,size=4,is_shared=0,share_id='',master_key_id='',user_data='',blob_updated_time=T,ocr_text='',ocr_details='',ocr_status=0,ocr_error='',type_=4)
R2='3d1b2c3d4e5f60718293a4b5c6d7e8f9'
items[R2]='minutes.pdf\n\n'+meta(id=R2,mime='application/pdf',filename='minutes.pdf',created_time=T,updated_time=T,file_extension='pdf',size=4,type_=4)
for k,v in items.items():
    open(os.path.join(raw,k+'.md'),'w').write(v)
open(os.path.join(raw,'resources',R+'.jpg'),'wb').write(b'\xff\xd8\xff\xe0')
def jex(path, extra=None, names=None):
    with tarfile.open(path,'w',format=tarfile.USTAR_FORMAT) as t:
        for k in sorted(items):
            data=items[k].encode()
            ti=tarfile.TarInfo(k+'.md'); ti.size=len(data); ti.mtime=1706700000
            t.addfile(ti,io.BytesIO(data))
        ti=tarfile.TarInfo('resources'); ti.type=tarfile.DIRTYPE; ti.mode=0o755; t.addfile(ti)
        data=b'\xff\xd8\xff\xe0'; ti=tarfile.TarInfo('resources/'+R+'.jpg'); ti.size=4; t.addfile(ti,io.BytesIO(data))
        if extra: extra(t)
jex(os.path.join(root,'joplin','export.jex'))
def trav(t):
    data=items[N4].encode(); ti=tarfile.TarInfo('../../escape.md'); ti.size=len(data); t.addfile(ti,io.BytesIO(data))
jex(os.path.join(root,'joplin','traversal.jex'),trav)
def link(t):
    ti=tarfile.TarInfo('passwd.md'); ti.type=tarfile.SYMTYPE; ti.linkname='/etc/passwd'; t.addfile(ti)
jex(os.path.join(root,'joplin','symlink.jex'),link)
# a truncated archive
d=open(os.path.join(root,'joplin','export.jex'),'rb').read()
open(os.path.join(root,'joplin','truncated.jex'),'wb').write(d[:512*3+100])
