import sys
from datetime import datetime
from socket import *

serverName = 'server'
serverPort = 12000

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)  # do not wait forever if the server is down (task 4)
sentence = input('Input lowercase sentence: ')

requestTime = datetime.now()  # time of the connection request
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence.encode())
    clientSocket.shutdown(SHUT_WR)
    modifiedSentence = b''
    while True:
        data = clientSocket.recv(1024)
        if not data:
            break
        modifiedSentence += data
except timeout:
    print('Request timed out, is the server running?')
    sys.exit(1)
except OSError as err:
    print('Network error:', err)
    sys.exit(1)
replyTime = datetime.now()
clientSocket.close()

print()
print('From Server:', modifiedSentence.decode())
print('Connection request sent at', requestTime.strftime('%A %d %B %Y, %H:%M:%S.%f'))
print('Reply received at', replyTime.strftime('%A %d %B %Y, %H:%M:%S.%f'))
print('RTT: {:.3f} ms'.format((replyTime - requestTime).total_seconds() * 1000))
